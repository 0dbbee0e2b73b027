import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyObject } from "../../../../core/protocol/pyValue";
import { deserializeData } from "../../../../core/protocol/strategies";
import { runPythonJson } from "../python/pythonOracle";

test("results of a few standard classes show what Python's repr() shows, not an opaque placeholder", () => {
  const cases = runPythonJson<[string, string][]>(
    String.raw`
import base64, datetime, decimal, json, sys, dill, zoneinfo
tz = datetime.timezone
values = [
    datetime.date(2024, 1, 2), datetime.date(1, 12, 31), datetime.date(9999, 1, 1),
    datetime.datetime(2024, 1, 2, 3, 4, 5, 678901), datetime.datetime(2024, 1, 2), datetime.datetime(2024, 1, 2, 0, 0, 7),
    datetime.datetime(2024, 1, 2, 0, 0, 0, 5), datetime.datetime(2024, 1, 2, 3, 4, tzinfo=tz.utc),
    datetime.datetime(2024, 1, 2, 3, 4, tzinfo=tz(datetime.timedelta(hours=-5), "EST")),
    datetime.datetime(2024, 11, 3, 1, 30, fold=1), datetime.datetime(2024, 3, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    datetime.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")), datetime.time(1, 2, fold=1, tzinfo=tz.utc),
    datetime.time(3, 4, 5), datetime.time(0, 0), datetime.time(23, 59, 59, 999999, tzinfo=tz(datetime.timedelta(minutes=90))), datetime.time(1, 2, fold=1),
    datetime.timedelta(0), datetime.timedelta(days=-1, seconds=5), datetime.timedelta(microseconds=1), datetime.timedelta(days=999999999, seconds=86399),
    decimal.Decimal("3.14"), decimal.Decimal("-0"), decimal.Decimal("1E+3"), decimal.Decimal("NaN"), decimal.Decimal("-Infinity"),
    complex(1, -2), 2j, 0j, complex(-0.0, 1), complex(1.5, 0), complex(1e20, -1e-20), complex(float("inf"), float("nan")), complex(0, -0.0),
    [datetime.date(2024, 1, 2), {"when": decimal.Decimal("2.50")}],
]
print(json.dumps([[repr(v), "00\n" + base64.encodebytes(dill.dumps(v)).decode()] for v in values]))
`,
    null,
  );
  for (const [repr, data] of cases) assert.equal(formatPython(deserializeData(data)), repr);
});

test("a class's arguments of another shape than CPython writes keep the opaque placeholder", () => {
  const data = runPythonJson<string>(
    String.raw`
import base64, json, pickle, pickletools
# datetime.date called with a 3-byte state (never written by CPython): not guessed at.
raw = pickle.dumps(b"abc", protocol=4).replace(b"C\x03abc", b"\x8c\x08datetime\x8c\x04date\x93C\x03abc\x85R", 1)
print(json.dumps("00\n" + base64.encodebytes(raw).decode()))
`,
    null,
  );
  const v = deserializeData(data);
  assert.ok(v instanceof PyObject && v.repr === undefined, String(v));
  assert.equal(formatPython(v), "<datetime.date object>");
});
