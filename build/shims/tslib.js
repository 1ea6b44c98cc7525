// The SDK's bundled CommonJS calls two tslib helpers (__importDefault, __importStar); tslib itself defines ~40 at
// load time (6.5 KB, ~0.7 ms of a cold start). These are tslib's own definitions (0BSD); test/deploy/shims.test.ts
// fails when the bundle starts to use another.
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
