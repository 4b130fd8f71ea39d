"""HS256 JWTs for bench/router.sh --jwt: python3 tokens.py SECRET USER... prints one token a line,
in argument order ({"alg":"HS256","typ":"JWT"}, claims sub = the user, iat now, exp in one day)."""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


secret = sys.argv[1].encode("utf-8")
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
out = []
for user in sys.argv[2:]:
    claims = {"sub": user, "iat": now, "exp": now + 86400}
    signed = head + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
    out.append(signed + "." + b64(hmac.new(secret, signed.encode("ascii"), hashlib.sha256).digest()))
print("\n".join(out))
