"""The staff actions through Tencent's own Python SDK (tencentcloud-sdk-python-ccc), pointed at a
DeskBridge instance: python ccc_staff.py ENDPOINT SECRET_ID SECRET_KEY SDKAPPID ACTION [ARGS].
ACTION is describe [MAIL], status USER STATUS [REASON], offline USER, online USER, usersig UID,
cdrs START END, cdrs2 START END (DescribeIMCdrs), messages SESSION, transfer SESSION GROUP or admin-url USER.
Prints the answer, or the SDK's error, as one JSON line."""
import json
import sys

from tencentcloud.ccc.v20200210 import ccc_client, models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

endpoint, secret_id, secret_key, app, action, *args = sys.argv[1:]
profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint))
client = ccc_client.CccClient(credential.Credential(secret_id, secret_key), "ap-guangzhou", profile)
try:
    if action == "describe":
        request = models.DescribeStaffInfoListRequest()
        request.SdkAppId, request.PageSize, request.PageNumber = int(app), 10, 0
        if args:
            request.StaffMail = args[0]
        answer = client.DescribeStaffInfoList(request)
        staff = [{"Mail": s.Mail, "Nick": s.Nick, "StaffNumber": s.StaffNumber,
                  "SkillGroups": [g.SkillGroupId for g in (s.SkillGroupList or [])]} for s in answer.StaffList]
        print(json.dumps({"ok": True, "TotalCount": answer.TotalCount, "StaffList": staff}))
    elif action == "status":
        item = models.SetStaffStatusItem()
        item.StaffUserId, item.Status = args[0], args[1]
        if len(args) > 2:
            item.Reason = args[2]
        request = models.SetStaffStatusRequest()
        request.SdkAppId, request.StaffStatusList = int(app), [item]
        print(json.dumps({"ok": True, "RequestId": client.SetStaffStatus(request).RequestId}))
    elif action == "usersig":
        request = models.CreateUserSigRequest()
        request.SdkAppId, request.Uid, request.ExpiredTime = int(app), args[0], 600
        print(json.dumps({"ok": True, "UserSig": client.CreateUserSig(request).UserSig}))
    elif action == "cdrs":
        request = models.DescribeIMCdrListRequest()
        request.SdkAppId, request.StartTimestamp, request.EndTimestamp = int(app), int(args[0]), int(args[1])
        answer = client.DescribeIMCdrList(request)
        cdrs = [{"SessionId": c.SessionId, "ClientUserId": c.ClientUserId, "EndStatus": c.EndStatus, "StaffId": c.StaffId} for c in answer.IMCdrList]
        print(json.dumps({"ok": True, "TotalCount": answer.TotalCount, "IMCdrList": cdrs}))
    elif action == "cdrs2":
        request = models.DescribeIMCdrsRequest()
        request.SdkAppId, request.StartTimestamp, request.EndTimestamp = int(app), int(args[0]), int(args[1])
        answer = client.DescribeIMCdrs(request)
        print(json.dumps({"ok": True, "TotalCount": answer.TotalCount, "Sessions": [c.SessionId for c in answer.IMCdrs]}))
    elif action == "admin-url":
        request = models.CreateAdminURLRequest()
        request.SdkAppId, request.SeatUserId = int(app), args[0]
        print(json.dumps({"ok": True, "URL": client.CreateAdminURL(request).URL}))
    elif action == "messages":
        request = models.DescribeChatMessagesRequest()
        request.SdkAppId, request.SessionId, request.Order = int(app), args[0], 1
        answer = client.DescribeChatMessages(request)
        messages = [{"From": m.From, "Contents": [x.Content for x in m.Messages], "Types": [x.Type for x in m.Messages]} for m in answer.Messages]
        print(json.dumps({"ok": True, "TotalCount": answer.TotalCount, "Messages": messages}))
    elif action == "transfer":
        request = models.TransferToManualRequest()
        request.SdkAppId, request.SessionId, request.SkillGroupId = int(app), args[0], int(args[1])
        print(json.dumps({"ok": True, "RequestId": client.TransferToManual(request).RequestId}))
    else:
        request = models.ForceMemberOfflineRequest() if action == "offline" else models.RestoreMemberOnlineRequest()
        request.SdkAppId, request.UserId = int(app), args[0]
        answer = client.ForceMemberOffline(request) if action == "offline" else client.RestoreMemberOnline(request)
        print(json.dumps({"ok": True, "RequestId": answer.RequestId}))
except TencentCloudSDKException as error:
    print(json.dumps({"ok": False, "code": error.get_code(), "message": error.get_message(), "requestId": error.get_request_id()}))
