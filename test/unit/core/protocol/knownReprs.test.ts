import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyObject } from "../../../../core/protocol/pyValue";
import { decodePickle } from "../../../../core/protocol/pickle";
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

test("numpy scalars, dtypes and arrays, pandas objects: numpy 2's scalar repr, the array's shape and dtype, the class", () => {
  // numpy 1.24 / pandas 1.5 pickles (dill and pickle protocols 4 and 5); the two protocol-2 ones name
  // numpy 2's module (numpy._core.multiarray), as numpy 2 pickles do.
  const cases: [string, string][] = [
  ["np.float64(0.5)", "gASVaQAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYkMIAAAAAAAA4D+UhpRSlC4="],
  ["np.float32(0.1)", "gASVZQAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCZjSUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYkMEzczMPZSGlFKULg=="],
  ["np.int64(-3)", "gASVaQAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYkMI/f////////+UhpRSlC4="],
  ["np.int16(258)", "gASVYwAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCaTKUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYkMCAgGUhpRSlC4="],
  ["np.True_", "gASVYgAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCYjGUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LAHSUYkMBAZSGlFKULg=="],
  ["np.str_('héllo')", "gASVbwAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCVTWUiYiHlFKUKEsDjAE8lE5OTksUSwRLCHSUYkMUaAAAAOkAAABsAAAAbAAAAG8AAACUhpRSlC4="],
  ["<numpy.complex128 object>", "gASVcgAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwDYzE2lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJDEAAAAAAAAPA/AAAAAAAAAECUhpRSlC4="],
  ["dtype('float64')", "gASVNwAAAAAAAACMBW51bXB5lIwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGIu"],
  ["<numpy.ndarray shape=(2, 3) dtype=float32>", "gASVxAAAAAAAAACMCmRpbGwuX2RpbGyUjA1fY3JlYXRlX2FycmF5lJOUKIwVbnVtcHkuY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUKEsBSwJLA4aUaAaMBWR0eXBllJOUjAJmNJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUTnSUUpQu"],
  ["<numpy.ndarray shape=(3,) dtype=int64>", "gASVoAAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwOFlGgDjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDGAAAAAAAAAAAAQAAAAAAAAACAAAAAAAAAJR0lGIu"],
  ["<numpy.ndarray shape=(3,) dtype=int64>", "gAWViwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYYAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAACAAAAAAAAAJSMBW51bXB5lIwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJLA4WUjAFDlHSUUpQu"],
  ["np.float64(0.5)", "gAJjbnVtcHkuX2NvcmUubXVsdGlhcnJheQpzY2FsYXIKcQBjbnVtcHkKZHR5cGUKcQFYAgAAAGY4cQKJiIdxA1JxBChLA1gBAAAAPHEFTk5OSv////9K/////0sAdHEGYmNfY29kZWNzCmVuY29kZQpxB1gJAAAAAAAAAAAAw6A/cQhYBgAAAGxhdGluMXEJhnEKUnELhnEMUnENLg=="],
  ["<numpy.ndarray shape=(3,) dtype=int64>", "gAJjbnVtcHkuX2NvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcQBjbnVtcHkKbmRhcnJheQpxAUsAhXECY19jb2RlY3MKZW5jb2RlCnEDWAEAAABicQRYBgAAAGxhdGluMXEFhnEGUnEHh3EIUnEJKEsBSwOFcQpjbnVtcHkKZHR5cGUKcQtYAgAAAGk4cQyJiIdxDVJxDihLA1gBAAAAPHEPTk5OSv////9K/////0sAdHEQYoloA1gYAAAAAAAAAAAAAAABAAAAAAAAAAIAAAAAAAAAcRFoBYZxElJxE3RxFGIu"],
  ["Timestamp('2024-01-02 03:04:05.123456')", "gASVTQAAAAAAAACMHnBhbmRhcy5fbGlicy50c2xpYnMudGltZXN0YW1wc5SME191bnBpY2tsZV90aW1lc3RhbXCUk5QoiggA/Fw3t2imF05OSwp0lFKULg=="],
  ["<pandas._libs.tslibs.timestamps.Timestamp object>", "gASVXwAAAAAAAACMHnBhbmRhcy5fbGlicy50c2xpYnMudGltZXN0YW1wc5SME191bnBpY2tsZV90aW1lc3RhbXCUk5QoiggAALSSq16mF06MBHB5dHqUjARfVVRDlJOUKVKUSwp0lFKULg=="],
  ["<pandas.core.frame.DataFrame object>", "gASVuQIAAAAAAACMEXBhbmRhcy5jb3JlLmZyYW1llIwJRGF0YUZyYW1llJOUKYGUfZQojARfbWdylIwecGFuZGFzLmNvcmUuaW50ZXJuYWxzLm1hbmFnZXJzlIwMQmxvY2tNYW5hZ2VylJOUjBZwYW5kYXMuX2xpYnMuaW50ZXJuYWxzlIwPX3VucGlja2xlX2Jsb2NrlJOUjApkaWxsLl9kaWxslIwNX2NyZWF0ZV9hcnJheZSTlCiMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlChLAUsBSwGGlGgSjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAEAAAAAAAAAlHSUTnSUUpRoDIwKX2xvYWRfdHlwZZSTlIwFc2xpY2WUhZRSlEsASwFLAYeUUpRLAoeUUpSFlF2UKIwYcGFuZGFzLmNvcmUuaW5kZXhlcy5iYXNllIwKX25ld19JbmRleJSTlGgvjAVJbmRleJSTlH2UKIwEZGF0YZRoDihoEWgUSwCFlGgWh5QoSwFLAYWUaBqMAk84lImIh5RSlChLA4wBfJROTk5K/////0r/////Sz90lGKJXZSMAWGUYXSUTnSUUpSMBG5hbWWUTnWGlFKUaDGMGXBhbmRhcy5jb3JlLmluZGV4ZXMucmFuZ2WUjApSYW5nZUluZGV4lJOUfZQoaENOjAVzdGFydJRLAIwEc3RvcJRLAYwEc3RlcJRLAXWGlFKUZYaUUpSMBF90eXCUjAlkYXRhZnJhbWWUjAlfbWV0YWRhdGGUXZSMBWF0dHJzlH2UjAZfZmxhZ3OUfZSMF2FsbG93c19kdXBsaWNhdGVfbGFiZWxzlIhzdWIu"],
  ];
  for (const [repr, b64] of cases) assert.equal(formatPython(decodePickle(Buffer.from(b64, "base64"))), repr);
});

test("dill's shipped reprs, builtin exceptions and Flag combinations show the value or the type, never the reconstructor", () => {
  const cases = runPythonJson<[string, string][]>(
    String.raw`
import base64, enum, json, pickle, dill
class F(enum.Flag):
    A = 1
    B = 2
values = [range(5), ..., ValueError("bad"), KeyError(), OSError(2, "gone"), [TypeError("t", 1), Exception()], F.A | F.B]
print(json.dumps([[repr(v), base64.b64encode(dill.dumps(v)).decode()] for v in values] + [[repr(ValueError("p")), base64.b64encode(pickle.dumps(ValueError("p"), 4)).decode()]]))
`,
    null,
  );
  const shown = cases.map(([, b64]) => formatPython(decodePickle(Buffer.from(b64, "base64"))));
  assert.deepEqual(shown, [...cases.slice(0, 6).map(([repr]) => repr), "<__main__.F object>", "ValueError('p')"]);
  // _eval_repr's text is shown, never evaluated, and cannot forge a line.
  const text = Buffer.from("__import__('os')\n[info]");
  const evil = new Uint8Array([0x80, 4, ...Buffer.from("\x8c\x0adill._dill\x8c\x0a_eval_repr\x93", "latin1"), 0x8c, text.length, ...text, 0x85, 0x52, 0x2e]);
  assert.equal(formatPython(decodePickle(evil)), "__import__('os')\\n[info]");
});
