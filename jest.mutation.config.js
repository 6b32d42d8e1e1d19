// What `npm run test:mutation` runs for each mutant: the unit and medium tests, as one project
// (StrykerJS instruments a single Jest configuration), never the end-to-end ones.
const { projects, testTimeout } = require('./jest.config');

const byName = (name) => {
  const project = { ...projects.find((candidate) => candidate.displayName === name) };
  delete project.displayName;
  return project;
};
const unit = byName('unit');
const medium = byName('medium');

module.exports = {
  ...unit,
  testMatch: [...unit.testMatch, ...medium.testMatch],
  testTimeout,
};
