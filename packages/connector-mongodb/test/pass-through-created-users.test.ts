/**
 * The pass-through suite again, its users made with MongoDB's `createUser` through an
 * administrator's URL, as against a real server (MONGODB_URL): that path runs on every test run,
 * on the test server, not only when someone points the suite at a real MongoDB.
 */
const before = process.env.SCIMGW_MONGODB_TEST_CREATE_USERS;
process.env.SCIMGW_MONGODB_TEST_CREATE_USERS = '1';
try {
  // The flag is read when the helpers load; other test files in this worker must not see it.
  await import('./pass-through.test.js');
} finally {
  if (before === undefined) delete process.env.SCIMGW_MONGODB_TEST_CREATE_USERS;
  else process.env.SCIMGW_MONGODB_TEST_CREATE_USERS = before;
}
