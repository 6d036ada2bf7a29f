"""The staff actions through Tencent's own Python SDK (tencentcloud-sdk-python-ccc), pointed at a
DeskBridge instance: python ccc_staff.py ENDPOINT SECRET_ID SECRET_KEY SDKAPPID ACTION [ARGS].
ACTION is describe [MAIL], status USER STATUS [REASON], offline USER, online USER, usersig UID,
cdrs START END, cdrs2 START END (DescribeIMCdrs), messages SESSION, transfer SESSION GROUP, admin-url USER,
create-group NAME LIMIT, update-group ID NAME LIMIT, delete-group ID, groups [NAME], create MAIL NICK GROUPNAME [ROLE],
modify MAIL NICK GROUPID..., password MAIL PASSWORD, bind MAIL GROUPID PRIORITY, unbind MAIL GROUPID, delete MAIL,
metrics [MAIL] or history MAIL START END [CURSOR].
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
    elif action in ("create-group", "update-group"):
        request = models.CreateCCCSkillGroupRequest() if action == "create-group" else models.UpdateCCCSkillGroupRequest()
        request.SdkAppId = int(app)
        if action == "create-group":
            request.SkillGroupName, request.SkillGroupType, request.MaxConcurrency = args[0], 1, int(args[1])
            print(json.dumps({"ok": True, "SkillGroupId": client.CreateCCCSkillGroup(request).SkillGroupId}))
        else:
            request.SkillGroupID, request.SkillGroupName, request.MaxConcurrency = int(args[0]), args[1], int(args[2])
            print(json.dumps({"ok": True, "RequestId": client.UpdateCCCSkillGroup(request).RequestId}))
    elif action == "delete-group":
        request = models.DeleteCCCSkillGroupRequest()
        request.SdkAppId, request.SkillGroupId = int(app), int(args[0])
        print(json.dumps({"ok": True, "RequestId": client.DeleteCCCSkillGroup(request).RequestId}))
    elif action == "groups":
        request = models.DescribeSkillGroupInfoListRequest()
        request.SdkAppId, request.PageSize, request.PageNumber = int(app), 10, 0
        if args:
            request.SkillGroupName = args[0]
        answer = client.DescribeSkillGroupInfoList(request)
        groups = [{"SkillGroupId": g.SkillGroupId, "SkillGroupName": g.SkillGroupName, "MaxConcurrency": g.MaxConcurrency,
                   "SkillGroupType": g.SkillGroupType} for g in answer.SkillGroupList]
        print(json.dumps({"ok": True, "TotalCount": answer.TotalCount, "SkillGroupList": groups}))
    elif action == "create":
        staff = models.SeatUserInfo()
        staff.Mail, staff.Name, staff.Nick, staff.SkillGroupNameList, staff.Phone = args[0], args[1], args[1], [args[2]], "10086"
        if len(args) > 3:
            staff.Role = int(args[3])
        request = models.CreateStaffRequest()
        request.SdkAppId, request.Staffs, request.SendPassword = int(app), [staff], False
        answer = client.CreateStaff(request)
        errors = [{"StaffEmail": e.StaffEmail, "Code": e.Code, "Message": e.Message} for e in (answer.ErrorStaffList or [])]
        print(json.dumps({"ok": True, "ErrorStaffList": errors}))
    elif action == "modify":
        request = models.ModifyStaffRequest()
        request.SdkAppId, request.Email, request.Nick, request.SkillGroupIds = int(app), args[0], args[1], [int(a) for a in args[2:]]
        print(json.dumps({"ok": True, "RequestId": client.ModifyStaff(request).RequestId}))
    elif action == "password":
        request = models.ModifyStaffPasswordRequest()
        request.SdkAppId, request.Email, request.Password = int(app), args[0], args[1]
        print(json.dumps({"ok": True, "RequestId": client.ModifyStaffPassword(request).RequestId}))
    elif action in ("bind", "unbind"):
        request = models.BindStaffSkillGroupListRequest() if action == "bind" else models.UnbindStaffSkillGroupListRequest()
        request.SdkAppId, request.StaffEmail = int(app), args[0]
        if action == "bind":
            item = models.StaffSkillGroupList()
            item.SkillGroupId, item.Priority = int(args[1]), int(args[2])
            request.StaffSkillGroupList = [item]
            print(json.dumps({"ok": True, "RequestId": client.BindStaffSkillGroupList(request).RequestId}))
        else:
            request.SkillGroupList = [int(args[1])]
            print(json.dumps({"ok": True, "RequestId": client.UnbindStaffSkillGroupList(request).RequestId}))
    elif action == "metrics":
        request = models.DescribeStaffStatusMetricsRequest()
        request.SdkAppId = int(app)
        if args:
            request.StaffList = [args[0]]
        answer = client.DescribeStaffStatusMetrics(request)
        metrics = [{"Email": m.Email, "Status": m.Status, "Reason": m.Reason, "FreeDuration": m.FreeDuration, "RestDuration": m.RestDuration,
                    "OnlineDuration": m.OnlineDuration, "LastStatusTimestamp": m.LastStatusTimestamp} for m in answer.Metrics]
        print(json.dumps({"ok": True, "Metrics": metrics}))
    elif action == "history":
        request = models.DescribeStaffStatusHistoryRequest()
        request.SdkAppId, request.StaffUserId, request.StartTimestamp, request.EndTimestamp = int(app), args[0], int(args[1]), int(args[2])
        request.PageSize = 2
        if len(args) > 3:
            request.Cursor = args[3]
        answer = client.DescribeStaffStatusHistory(request)
        print(json.dumps({"ok": True, "Data": [{"Cursor": d.Cursor, "Timestamp": d.Timestamp, "Status": d.Status, "Reason": d.Reason,
                                                 "StaffEmail": d.StaffEmail} for d in answer.Data]}))
    elif action == "delete":
        request = models.DeleteStaffRequest()
        request.SdkAppId, request.StaffList = int(app), [args[0]]
        print(json.dumps({"ok": True, "OnlineStaffList": client.DeleteStaff(request).OnlineStaffList or []}))
    else:
        request = models.ForceMemberOfflineRequest() if action == "offline" else models.RestoreMemberOnlineRequest()
        request.SdkAppId, request.UserId = int(app), args[0]
        answer = client.ForceMemberOffline(request) if action == "offline" else client.RestoreMemberOnline(request)
        print(json.dumps({"ok": True, "RequestId": answer.RequestId}))
except TencentCloudSDKException as error:
    print(json.dumps({"ok": False, "code": error.get_code(), "message": error.get_message(), "requestId": error.get_request_id()}))
