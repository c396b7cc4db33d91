/**
 * Autopack's change policy (hshk99/Autopack at 9890340f), as a Warden change policy file. Every
 * list and number is the code's: governance_requests.py (NEVER_AUTO_APPROVE, assess_risk_level's
 * patterns, can_auto_approve's allow-list and 100-line limit) and risk_scorer.py (PROTECTED_PATHS,
 * the categories, thresholds and weights). The large-deletion limits are the executor's save-point
 * threshold (net deletion > 50: proceed with a safety net, here a notification) and BUILD-108's
 * blocking threshold (> 200 removed: approval, CRITICAL as GOVERNANCE.md's example rates it).
 * docs/changes.md explains each choice.
 */
export const DEFAULT_POLICY_YAML = `# Warden change policy: Autopack's defaults (governance_requests.py, risk_scorer.py at 9890340f)
version: 1

# Never auto-approved, whatever the size or risk (Python fnmatch: '*' also matches '/').
never_auto_approve:
  - src/autopack/models.py
  - alembic/versions/*
  - src/autopack/main.py
  - src/autopack/governed_apply.py
  - src/autopack/autonomous_executor.py
  - src/autopack/quality_gate.py
  - .git/*
  - .env*
  - config/*
  - .autonomous_runs/*

# assess_risk_level: the highest level whose pattern matches; otherwise the default.
risk_levels:
  critical:
    - src/autopack/models.py
    - src/autopack/governed_apply.py
    - src/autopack/autonomous_executor.py
    - alembic/versions/*
  high:
    - src/autopack/*.py
  medium: []
  low:
    - tests/*.py
    - docs/*.md
default_risk_level: medium

# can_auto_approve: only these paths, at most this risk level, at most this many lines changed.
auto_approve:
  paths:
    - tests/test_*.py
    - docs/*.md
  max_risk_level: medium
  max_lines_changed: 100

large_deletion:
  # More lines removed than this: still auto-approved, but tier 2 (notify + proceed).
  notify_over_lines_removed: 50
  # More than this: never auto-approved, and the change is rated critical (two approvers).
  hold_over_lines_removed: 200

# RiskScorer.score_phase: weighted sum of four factors; >= high is HIGH (held), >= medium MEDIUM.
risk_scorer:
  # Matched as risk_scorer.py does: from the start of the path, '*' any run, '.' any character.
  protected_paths:
    - src/autopack/models.py
    - alembic/versions/*
    - .autonomous_runs/*
    - .git/*
    - autopack.db
    - config/safety_profiles.yaml
    - config/governance.yaml
  high_risk_categories: [database_migration, schema_change, security, authentication, authorization]
  medium_risk_categories: [api_change, refactor, infrastructure, configuration]
  large_scope_threshold: 20
  cross_cutting_threshold: 3
  weights:
    scope_size: 0.3
    protected_paths: 0.4
    category: 0.2
    cross_cutting: 0.1
  thresholds:
    medium: 0.3
    high: 0.6
  require_approval_for_medium: false

approval:
  # Autopack's approval timeout: expiry is rejection.
  timeout_seconds: 3600
`;
