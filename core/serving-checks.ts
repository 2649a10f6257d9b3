/**
 * Whether a kind's schema and printer columns can be served, for config's checks
 * (config/check.ts `ServingChecks`). config does not import core's internals: the
 * composition root hands it this object.
 */
import { compileJsonPath } from './jsonpath.ts';
import { schemaProblems } from './schema/index.ts';

export const servingChecks = {
  schemaProblems,
  /** Why a JSONPath does not compile, or undefined when it does. */
  jsonPathProblem(path: string): string | undefined {
    try {
      compileJsonPath(path);
      return undefined;
    } catch (error) {
      // compileJsonPath's messages already say `invalid JSONPath "…": why`.
      return (error as Error).message;
    }
  },
};
