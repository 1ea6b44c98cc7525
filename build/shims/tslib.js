// The SDK's compiled CommonJS calls three tslib helpers (__importDefault, __importStar, __exportStar); tslib itself
// defines ~40 at load time (6.5 KB, ~0.7 ms of a cold start). These are tslib's own definitions (0BSD).
var __createBinding = Object.create
  ? function (o, m, k, k2) {
      if (k2 === undefined) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function () { return m[k]; } };
      }
      Object.defineProperty(o, k2, desc);
    }
  : function (o, m, k, k2) {
      if (k2 === undefined) k2 = k;
      o[k2] = m[k];
    };
exports.__createBinding = __createBinding;

exports.__exportStar = function (m, o) {
  for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(o, p)) __createBinding(o, m, p);
};

exports.__importDefault = function (mod) {
  return mod && mod.__esModule ? mod : { default: mod };
};

exports.__importStar = function (mod) {
  if (mod && mod.__esModule) return mod;
  var result = {};
  if (mod != null) for (var k of Object.getOwnPropertyNames(mod)) if (k !== "default") __createBinding(result, mod, k);
  Object.defineProperty(result, "default", { enumerable: true, value: mod });
  return result;
};
