import { ApiError } from "../api-error";
import { optionalInteger, requireSdkAppId, requireString, type Params } from "../params";
import type * as trtc from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_models";
import { defineAction } from "./action";

const MAX_INT_ROOM_ID = 4294967294;

function sourceUrl(params: Params): string {
  if (params.StreamUrl !== undefined && params.StreamUrl !== null) return requireString(params, "StreamUrl");
  const legacy = params.SourceUrl; // deprecated array form
  if (Array.isArray(legacy) && typeof legacy[0] === "string" && legacy[0]) return legacy[0];
  if (legacy !== undefined) throw new ApiError("InvalidParameter.SourceUrl", "SourceUrl must be an array with one URL.");
  throw new ApiError("MissingParameter.StreamUrl", "StreamUrl is missing.");
}

/** Starts a relay task and answers its TaskId. RoomIdType 1 (the default) means a 32-bit integer RoomId. */
export const startStreamIngest = defineAction<trtc.StartStreamIngestRequest, trtc.StartStreamIngestResponse>()({
  name: "StartStreamIngest",
  params: [
    "SdkAppId", "RoomId", "RoomIdType", "UserId", "UserSig", "StreamUrl", "PrivateMapKey", "VideoEncodeParams",
    "AudioEncodeParams", "SourceUrl", "SeekSecond", "AutoPush", "RepeatNum", "MaxDuration", "Volume",
    "EnableProgress", "Tempo", "IdleTimeout",
  ],
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const roomId = requireString(params, "RoomId");
    const roomIdType = optionalInteger(params, "RoomIdType", fromQuery) ?? 1;
    if (roomIdType !== 0 && roomIdType !== 1) throw new ApiError("InvalidParameter.RoomIdType", "RoomIdType must be 0 or 1.");
    if (roomIdType === 1 && !(/^\d{1,10}$/.test(roomId) && Number(roomId) >= 1 && Number(roomId) <= MAX_INT_ROOM_ID)) {
      throw new ApiError("InvalidParameter.RoomId", "RoomId must be an integer from 1 to 4294967294 when RoomIdType is 1.");
    }
    requireString(params, "UserId");
    requireString(params, "UserSig");
    const streamUrl = sourceUrl(params);
    // Looping playback (RepeatNum -1) may be capped by MaxDuration, in minutes.
    const repeat = optionalInteger(params, "RepeatNum", fromQuery);
    const maxMinutes = optionalInteger(params, "MaxDuration", fromQuery);
    const endsAt = repeat === -1 && maxMinutes !== undefined ? now + maxMinutes * 60_000 : undefined;
    const task = tasks.start({ sdkAppId, roomId, streamUrl, endsAt }, now);
    return { TaskId: task.taskId };
  },
});
