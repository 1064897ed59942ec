// Starts GraphiQL (see graphiql.ts): a file of its own, because the page allows no inline script.
/* global YogaGraphiQL */
self.MonacoEnvironment = {
  globalAPI: false,
  // Same-origin worker files, where Yoga's page would fetch them from a CDN into blob: URLs.
  getWorkerUrl: (_moduleId, label) => `/graphiql/${label}.worker.js`,
};
const options = JSON.parse(document.getElementById('graphiql-options').textContent);
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
