/** TRTC's stream-ingest callbacks, played by the emulator (trtc.io/document/62717, trtc.io/document/54912). */
export { CallbackService } from "./service";
export { callbackBody, signBody } from "./event";
export { TRTC_TIMING } from "./settings";
export * from "./types";
