"""The contest form's proof of work in the browser: a small script, inline in the notice
page and allowed there by its hash alone (the notice page is served for any blocked
name's `Host`, where a script file's URL would answer with the page itself).

It computes SHA-256 itself: the browser's `crypto.subtle` exists only in secure contexts,
and a blocked name's visitor arrives over plain HTTP. Nothing is sent anywhere but with
the form; the answer is checked by `arret.domain.contests.proof_problem`.
"""

from __future__ import annotations

import base64
import hashlib

SCRIPT = """
(function () {
  var form = document.getElementById("contest-form");
  if (!form) { return; }
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2];
  var W = new Int32Array(64);
  // One 64-byte block of m from offset o into the state H (FIPS 180-4, 6.2.2).
  function compress(H, m, o) {
    var t;
    for (t = 0; t < 16; t++) {
      W[t] = (m[o + 4 * t] << 24) | (m[o + 4 * t + 1] << 16) | (m[o + 4 * t + 2] << 8) |
             m[o + 4 * t + 3];
    }
    for (t = 16; t < 64; t++) {
      var x = W[t - 15], y = W[t - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (t = 0; t < 64; t++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0;
    H[3] = (H[3] + d) | 0; H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0;
    H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }
  var challenge = form.getAttribute("data-challenge");
  var bits = parseInt(form.getAttribute("data-bits"), 10);
  var answer = document.getElementById("pow-answer");
  var status = document.getElementById("pow-status");
  var button = document.getElementById("contest-submit");
  // "<challenge>:" is the same in every attempt: its whole blocks are hashed once.
  var prefix = [], i;
  for (i = 0; i < challenge.length; i++) { prefix.push(challenge.charCodeAt(i) & 127); }
  prefix.push(58);
  var whole = prefix.length - prefix.length % 64;
  var mid = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
                            0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  for (i = 0; i < whole; i += 64) { compress(mid, prefix, i); }
  var tail = new Uint8Array(192), H = new Int32Array(8);
  function zeros(n) {
    var s = String(n), k = 0, j;
    for (j = whole; j < prefix.length; j++) { tail[k++] = prefix[j]; }
    for (j = 0; j < s.length; j++) { tail[k++] = s.charCodeAt(j); }
    var length = (prefix.length + s.length) * 8;
    tail[k++] = 0x80;
    var end = k + 8 <= 64 ? 64 : 128;
    while (k < end - 4) { tail[k++] = 0; }
    tail[end - 4] = length >>> 24; tail[end - 3] = (length >>> 16) & 255;
    tail[end - 2] = (length >>> 8) & 255; tail[end - 1] = length & 255;
    H.set(mid);
    for (j = 0; j < end; j += 64) { compress(H, tail, j); }
    var z = 0;
    for (j = 0; j < 8; j++) {
      var c = Math.clz32(H[j]);
      z += c;
      if (c < 32) { break; }
    }
    return z;
  }
  button.disabled = true;
  status.textContent = form.getAttribute("data-working");
  var n = 0;
  function step() {
    for (var k = 0; k < 20000; k++, n++) {
      if (zeros(n) >= bits) {
        answer.value = String(n);
        button.disabled = false;
        status.textContent = form.getAttribute("data-ready");
        return;
      }
    }
    setTimeout(step, 0);
  }
  setTimeout(step, 0);
})();
"""

#: The Content-Security-Policy of a page that carries the script: the app's policy, with
#: this one script allowed by its SHA-256.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
