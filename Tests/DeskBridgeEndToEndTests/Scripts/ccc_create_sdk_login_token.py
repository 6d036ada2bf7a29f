"""CreateSDKLoginToken through Tencent's own Python SDK (tencentcloud-sdk-python-ccc), pointed at a
DeskBridge instance: python ccc_create_sdk_login_token.py ENDPOINT SECRET_ID SECRET_KEY SDKAPPID SEAT [ONLY_ONCE].
Prints the answer, or the SDK's error, as one JSON line."""
import json
import sys

from tencentcloud.ccc.v20200210 import ccc_client, models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

endpoint, secret_id, secret_key, app, seat = sys.argv[1:6]
profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint))
client = ccc_client.CccClient(credential.Credential(secret_id, secret_key), "ap-guangzhou", profile)
request = models.CreateSDKLoginTokenRequest()
request.SdkAppId = int(app)
request.SeatUserId = seat
if len(sys.argv) > 6:
    request.OnlyOnce = sys.argv[6] == "true"
try:
    answer = client.CreateSDKLoginToken(request)
    print(json.dumps({"ok": True, "SdkURL": answer.SdkURL, "Token": answer.Token, "ExpiredTime": answer.ExpiredTime, "RequestId": answer.RequestId}))
except TencentCloudSDKException as error:
    print(json.dumps({"ok": False, "code": error.get_code(), "message": error.get_message(), "requestId": error.get_request_id()}))
