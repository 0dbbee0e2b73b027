import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleartextProblem } from "../../../../../core/service/globus/cleartextUrl";

describe("cleartextProblem", () => {
  it("lets https anywhere and http to this machine through, whatever way the host is written", () => {
    for (const url of ["https://compute.api.globus.org", "http://localhost:5000", "http://LOCALHOST", "http://127.0.0.1:5000/x", "http://127.1", "http://0x7f.0.0.1", "http://127.255.0.9", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]"]) {
      assert.equal(cleartextProblem(url), undefined, url);
    }
  });

  it("says why http to any other host is refused", () => {
    for (const url of ["http://compute.example.org", "http://128.0.0.1", "http://10.0.0.1:5000", "http://[::2]", "http://localhost.example.org", "http://127.0.0.1.nip.io"]) {
      assert.match(cleartextProblem(url) ?? "", /tokens would travel in clear text; use https:\/\//, url);
    }
    assert.match(cleartextProblem(new URL("http://user@compute.example.org:81/x")) ?? "", /, not compute\.example\.org:81:/);
  });

  it("leaves what is no URL to the request that fails on it", () => {
    assert.equal(cleartextProblem("not a url"), undefined);
  });
});
