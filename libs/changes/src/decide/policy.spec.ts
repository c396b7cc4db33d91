import { DEFAULT_POLICY_YAML } from './default-policy.js';
import { ChangeInputError } from './input-error.js';
import { DEFAULT_POLICY, parsePolicyYaml, policyDigest } from './policy.js';

const refused = (yaml: string) => {
  try {
    parsePolicyYaml(yaml);
    return null;
  } catch (e) {
    return { code: (e as ChangeInputError).code, field: (e as ChangeInputError).field };
  }
};

describe('change policy', () => {
  it("the default is Autopack's lists and thresholds exactly", () => {
    const p = DEFAULT_POLICY.policy;
    expect(p.never_auto_approve).toEqual([
      'src/autopack/models.py', 'alembic/versions/*', 'src/autopack/main.py', 'src/autopack/governed_apply.py', 'src/autopack/autonomous_executor.py',
      'src/autopack/quality_gate.py', '.git/*', '.env*', 'config/*', '.autonomous_runs/*',
    ]);
    expect(p.auto_approve).toEqual({ paths: ['tests/test_*.py', 'docs/*.md'], max_risk_level: 'medium', max_lines_changed: 100 });
    expect(p.risk_scorer.weights).toEqual({ scope_size: 0.3, protected_paths: 0.4, category: 0.2, cross_cutting: 0.1 });
    expect(p.risk_scorer.thresholds).toEqual({ medium: 0.3, high: 0.6 });
    expect(p.risk_scorer.protected_paths).toEqual(['src/autopack/models.py', 'alembic/versions/*', '.autonomous_runs/*', '.git/*', 'autopack.db', 'config/safety_profiles.yaml', 'config/governance.yaml']);
    expect(p.large_deletion).toEqual({ notify_over_lines_removed: 50, hold_over_lines_removed: 200 });
  });

  it('the digest covers the normalized policy, not the YAML text', () => {
    const reformatted = parsePolicyYaml(DEFAULT_POLICY_YAML.replace(/^#.*$/gm, '').replace('version: 1', 'version:   1'));
    expect(policyDigest(reformatted)).toBe(DEFAULT_POLICY.digest);
    expect(DEFAULT_POLICY.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(policyDigest(parsePolicyYaml(DEFAULT_POLICY_YAML.replace('max_lines_changed: 100', 'max_lines_changed: 99')))).not.toBe(DEFAULT_POLICY.digest);
  });

  it('refuses unknown or missing keys, bad levels, regex syntax in scorer patterns, bad YAML', () => {
    expect(refused(DEFAULT_POLICY_YAML.replace('default_risk_level: medium', 'default_risk_level: medium\nextra: 1'))).toEqual({ code: 'invalid_policy', field: 'policy' });
    expect(refused(DEFAULT_POLICY_YAML.replace('  max_lines_changed: 100\n', ''))).toEqual({ code: 'invalid_policy', field: 'auto_approve' });
    expect(refused(DEFAULT_POLICY_YAML.replace('max_risk_level: medium', 'max_risk_level: severe'))).toEqual({ code: 'invalid_policy', field: 'auto_approve.max_risk_level' });
    expect(refused(DEFAULT_POLICY_YAML.replace('    - autopack.db', '    - autopack[.]db'))).toEqual({ code: 'invalid_policy', field: 'risk_scorer.protected_paths[4]' });
    expect(refused('version: [')).toMatchObject({ code: 'invalid_policy' });
    expect(refused('x'.repeat(300_000))).toMatchObject({ code: 'policy_too_large' });
  });
});
