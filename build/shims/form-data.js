// The SDK builds multipart bodies only for file-upload actions; DescribeStreamIngest is JSON. Aliasing form-data
// keeps mime-db (137 KB) out of the bundle. Reaching this is a bug: fail loudly.
module.exports = function FormData() {
  throw new Error("multipart requests are not supported in this bundle");
};
