import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { quotedBody, redactCredentials } from "../../../../core/util/redaction";

describe("redactCredentials", () => {
  const cases: [string, string, string][] = [
    ["an Authorization header line", "POST /v3/x\nAuthorization: Bearer abc.DEF-123\nHost: h", "POST /v3/x\nAuthorization: [redacted]\nHost: h"],
    ["a Basic Authorization header", "authorization: Basic dXNlcjpwYXNz", "authorization: [redacted]"],
    ["an Authorization header within a line", "refused (Authorization: Digest u=1, r=2) for x\nnext", "refused (Authorization: [redacted]\nnext"],
    ["a Proxy-Authorization header", "Proxy-Authorization: Bearer xyz", "Proxy-Authorization: [redacted]"],
    ["an Authorization header in JSON", '{"Authorization": "Bearer abc", "Host": "h"}', '{"Authorization": "[redacted]", "Host": "h"}'],
    ["an Authorization header in a Python dict", "{'authorization': 'Bearer abc'}", "{'authorization': '[redacted]'}"],
    ["a bearer token anywhere", "token was bearer AbC_-.~+/=9 (expired)", "token was bearer [redacted] (expired)"],
    ["a refresh token form", "refresh_token=r3fr%2Fsh&grant_type=refresh_token", "refresh_token=[redacted]&grant_type=refresh_token"],
    ["a code exchange form", "grant_type=authorization_code&code=c0de&code_verifier=v3r&client_id=x", "grant_type=authorization_code&code=[redacted]&code_verifier=[redacted]&client_id=x"],
    ["a client secret", "client_id=x&client_secret=s3cr3t", "client_id=x&client_secret=[redacted]"],
    ["tokens in JSON", '{"access_token": "a1", "id_token":"e.y.J", "refresh_token" : "r1", "expires_in": 10}', '{"access_token": "[redacted]", "id_token":"[redacted]", "refresh_token" : "[redacted]", "expires_in": 10}'],
    ["tokens in JSON quoted in a JSON string", '{\\"access_token\\": \\"a1\\"}', '{\\"access_token\\": \\"[redacted]\\"}'],
    ["a header-style token line", "Access_Token: a1\r\nX: y", "Access_Token: [redacted]\r\nX: y"],
    ["a code in JSON or a query", '{"code": "c1"} /auth-code?code=c2&state=s', '{"code": "[redacted]"} /auth-code?code=[redacted]&state=s'],
  ];
  for (const [what, text, expected] of cases) {
    it(`removes ${what}`, () => assert.equal(redactCredentials(text), expected));
  }

  it("leaves prose and other fields alone", () => {
    for (const text of ["exit code: 1", "error_code=7, status_code=400", "Endpoint x could not be resolved", "the token expired", "tokens: 3", "Insufficient authorization: ask the endpoint's owner"]) {
      assert.equal(redactCredentials(text), text);
    }
  });
});

describe("quotedBody", () => {
  it("names an HTML page by its title or first heading, never quoting it", () => {
    const echo = "<html><head><title>400 Bad\n Request</title></head><body><pre>Authorization: Bearer SECRET</pre></body></html>";
    assert.equal(quotedBody(echo, 200), 'an HTML page titled "400 Bad Request"');
    assert.equal(quotedBody("<!DOCTYPE html><body><h1>502 <b>Bad</b> Gateway</h1><pre>refresh_token=SECRET</pre>", 200), 'an HTML page titled "502 Bad Gateway"');
    assert.equal(quotedBody("<html><body>Bearer SECRET</body></html>", 200), "an HTML page");
    assert.equal(quotedBody('<?xml version="1.0"?><Error><Token>SECRET</Token></Error>', 200), "a markup document");
  });

  it("quotes other text trimmed, redacted and clipped", () => {
    assert.equal(quotedBody("  refused: refresh_token=SECRET  ", 200), "refused: refresh_token=[redacted]");
    assert.equal(quotedBody("x".repeat(300), 200), `${"x".repeat(200)}…`);
  });
});
