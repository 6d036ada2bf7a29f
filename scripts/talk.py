#!/usr/bin/env python3
"""Hold a conversation with a running DeskBridge by hand.

As the user (signed Google-style webhooks):
  scripts/talk.py say "Talk to a person"      # a text message
  scripts/talk.py tap "td1:b:<ref>:1" "Talk to a person"   # a chip tap (postback from the stand-in's output)
  scripts/talk.py human                       # userStatus.requestedLiveAgent
  scripts/talk.py typing                      # userStatus.isTyping
As the desk (Tencent-style APIs with a UserSig):
  scripts/talk.py agent-say lena@acme.example "Hi, I am Lena"
  scripts/talk.py agent-end lena@acme.example
  scripts/talk.py state                       # get_session_state of this conversation
  scripts/talk.py agent-status lena@acme.example Available
  scripts/talk.py usersig lena@acme.example  # a UserSig to sign in to the workbench (/workbench)

Environment: DESKBRIDGE_URL (http://127.0.0.1:8080), BM_CLIENT_TOKEN, DESK_SECRET,
CONVERSATION (conv-demo), AGENT (brands/demo/agents/demo), SDKAPPID (1400000000),
ADMIN (administrator). Standard library only.
"""
import base64, hashlib, hmac, json, os, sys, time, urllib.request, uuid, zlib

URL = os.environ.get("DESKBRIDGE_URL", "http://127.0.0.1:8080")
TOKEN = os.environ.get("BM_CLIENT_TOKEN", "")
SECRET = os.environ.get("DESK_SECRET", "")
CONV = os.environ.get("CONVERSATION", "conv-demo")
GAGENT = os.environ.get("AGENT", "brands/demo/agents/demo")
APP = int(os.environ.get("SDKAPPID", "1400000000"))
ADMIN = os.environ.get("ADMIN", "administrator")


def client_user_id():
    return "gbm_" + hashlib.sha256(f"{GAGENT}/{CONV}".encode()).hexdigest()[:28]


def post(url, body, headers=None):
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def webhook(payload):
    body = {"agent": GAGENT, "conversationId": CONV, "requestId": str(uuid.uuid4()),
            "context": {"userInfo": {"displayName": "Demo User"}}, **payload}
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(TOKEN.encode(), raw, hashlib.sha512).digest()).decode()
    request = urllib.request.Request(URL + "/webhooks/business-messages", data=raw,
                                     headers={"Content-Type": "application/json", "X-Goog-Signature": signature})
    try:
        with urllib.request.urlopen(request) as response:
            print(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode())


def usersig(identifier, expire=3600):
    now = int(time.time())
    content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{APP}\nTLS.time:{now}\nTLS.expire:{expire}\n"
    sig = base64.b64encode(hmac.new(SECRET.encode(), content.encode(), hashlib.sha256).digest()).decode()
    doc = {"TLS.ver": "2.0", "TLS.identifier": identifier, "TLS.sdkappid": APP, "TLS.expire": expire, "TLS.time": now, "TLS.sig": sig}
    raw = base64.b64encode(zlib.compress(json.dumps(doc, separators=(",", ":")).encode())).decode()
    return raw.replace("+", "*").replace("/", "-").replace("=", "_")


def desk(path, identifier, body, quiet=False):
    query = f"sdkappid={APP}&identifier={urllib.parse.quote(identifier)}&usersig={usersig(identifier)}&random=1&contenttype=json"
    status, text = post(f"{URL}{path}?{query}", body)
    if not quiet:
        print(status, text)
    return json.loads(text) if text.startswith("{") else {}


def session_id():
    return desk("/v4/desk_http_svc/get_session_state", ADMIN, {"ClientUserId": client_user_id()}, quiet=True).get("SessionId", "")


def main(args):
    import urllib.parse  # noqa: F401  (used by desk())
    if not args:
        print(__doc__)
        return 2
    command, rest = args[0], args[1:]
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())
    if command == "say":
        webhook({"message": {"messageId": str(uuid.uuid4()), "text": " ".join(rest), "createTime": now}})
    elif command == "tap":
        webhook({"suggestionResponse": {"postbackData": rest[0], "text": rest[1] if len(rest) > 1 else "", "type": "REPLY", "createTime": now}})
    elif command == "human":
        webhook({"userStatus": {"requestedLiveAgent": True, "createTime": now}})
    elif command == "typing":
        webhook({"userStatus": {"isTyping": True, "createTime": now}})
    elif command == "agent-say":
        desk("/v4/openim/sendmsg", rest[0], {"To_Account": client_user_id(), "MsgRandom": 1,
                                            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": " ".join(rest[1:])}}]})
    elif command == "agent-end":
        desk("/v4/desk_http_svc/end_session", rest[0], {"SessionId": session_id()})
    elif command == "state":
        desk("/v4/desk_http_svc/get_session_state", ADMIN, {"ClientUserId": client_user_id()})
    elif command == "usersig":
        print(usersig(rest[0], expire=12 * 3600))
    elif command == "agent-status":
        desk("/v4/desk_http_svc/set_agent_status", rest[0], {"AgentId": rest[0], "Status": rest[1]})
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    import urllib.parse
    sys.exit(main(sys.argv[1:]))
