import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';

describe('the public API', () => {
  it('exposes the run API, scenarios, models, networks, sweeps, validations and surrogate fitting', () => {
    for (const name of ['runScenario', 'estimateRun', 'loadScenarioFile', 'resolveScenario', 'createModel', 'scriptedModel', 'runSweep', 'runEngine', 'importAtpFile', 'runValidations', 'cascadeWindow', 'generatePairs', 'fitSurrogate', 'fitAndCheck']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof api.networks.buildNetwork).toBe('function');
  });
});
