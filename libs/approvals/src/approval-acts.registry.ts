import { Injectable } from '@nestjs/common';
import { ConfigError, WardenConfig } from '#platform';
import type { ApprovalActDefinition, ApprovalKindDefinition } from './approval-acts.js';
import { APPROVALS } from './approvals.lever.js';
import { approverRoles, DEFAULT_APPROVERS, KIND_PATTERN, MANUAL_KIND } from './decide/rules.js';

/** A change-request control's name: dotted lower case, `<lever thing>.<what>` (risk.policy). */
const CONTROL_PATTERN = /^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63})*$/;

export interface RegisteredKind {
  kind: string;
  lever: string;
  approverRoles: string[];
}

export interface RegisteredAct extends ApprovalActDefinition {
  act: string;
  twoPerson: boolean;
}

/**
 * The kinds and acts the levers registered at start (declared with @ApprovalAct / @OwnsApprovalKinds,
 * or through ApprovalsService.defineAct). Sealed when the application boots: WARDEN_TWO_PERSON is
 * then checked against the two-person acts, and nothing more is defined.
 */
@Injectable()
export class ApprovalActsRegistry {
  private readonly kinds = new Map<string, RegisteredKind>();
  private readonly acts = new Map<string, RegisteredAct>();
  private sealed = false;

  constructor(private readonly config: WardenConfig) {
    this.defineKind({ lever: APPROVALS, kind: MANUAL_KIND });
  }

  defineKind(def: ApprovalKindDefinition): RegisteredKind {
    this.assertOpen(def.kind);
    if (!KIND_PATTERN.test(def.kind)) throw new Error(`approval kind "${def.kind}" must match ${KIND_PATTERN}`);
    const roles = approverRoles(def.approvers ?? DEFAULT_APPROVERS);
    const known = this.kinds.get(def.kind);
    if (known) {
      if (known.lever !== def.lever.name) throw new Error(`approval kind ${def.kind} belongs to ${known.lever}; ${def.lever.name} cannot register it too`);
      if (known.approverRoles.join() !== roles.join()) throw new Error(`approval kind ${def.kind} is registered twice with different approvers`);
      return known;
    }
    const kind = { kind: def.kind, lever: def.lever.name, approverRoles: roles };
    this.kinds.set(def.kind, kind);
    return kind;
  }

  defineAct(def: ApprovalActDefinition): RegisteredAct {
    const name = def.act ?? def.kind;
    this.assertOpen(name);
    if (!KIND_PATTERN.test(name)) throw new Error(`approval act "${name}" must match ${KIND_PATTERN}`);
    if (this.acts.has(name)) throw new Error(`approval act ${name} is defined twice (by ${this.acts.get(name)!.lever.name} and ${def.lever.name})`);
    this.defineKind(def);
    if (def.changeRequest !== undefined) {
      if (!CONTROL_PATTERN.test(def.changeRequest)) throw new Error(`change-request control "${def.changeRequest}" of act ${name} must match ${CONTROL_PATTERN}`);
      const other = [...this.acts.values()].find((a) => a.changeRequest === def.changeRequest);
      if (other) throw new Error(`change-request control ${def.changeRequest} is declared by two acts (${other.act} and ${name})`);
    }
    const act: RegisteredAct = { ...def, act: name, twoPerson: def.twoPerson ?? false };
    this.acts.set(name, act);
    return act;
  }

  kind(kind: string): RegisteredKind | undefined {
    return this.kinds.get(kind);
  }

  act(name: string): RegisteredAct | undefined {
    return this.acts.get(name);
  }

  actNames(): string[] {
    return [...this.acts.keys()];
  }

  /** What is registered, for the discovery test and the docs: kinds with their owner, acts with theirs. */
  list(): { kinds: RegisteredKind[]; acts: Array<{ act: string; kind: string; lever: string; twoPerson: boolean }> } {
    return {
      kinds: [...this.kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
      acts: [...this.acts.values()].map(({ act, kind, lever, twoPerson }) => ({ act, kind, lever: lever.name, twoPerson })).sort((a, b) => a.act.localeCompare(b.act)),
    };
  }

  /** The change-request controls the levers declared, with their acts (sorted by control). */
  changeRequestControls(): Array<{ control: string; act: string; lever: string }> {
    return [...this.acts.values()]
      .filter((a) => a.changeRequest !== undefined)
      .map((a) => ({ control: a.changeRequest!, act: a.act, lever: a.lever.name }))
      .sort((a, b) => a.control.localeCompare(b.control));
  }

  /** The act that changes `control` as a change request. */
  actOfControl(control: string): RegisteredAct | undefined {
    return [...this.acts.values()].find((a) => a.changeRequest === control);
  }

  /**
   * Ends registration and checks WARDEN_TWO_PERSON against the registered two-person acts: an unknown
   * name stops the start, naming the variable and the acts it may list.
   */
  seal(): void {
    this.sealed = true;
    const listed = this.config.WARDEN_TWO_PERSON ?? [];
    const known = [...this.acts.values()].filter((a) => a.twoPerson).map((a) => a.act).sort();
    const unknown = listed.filter((a) => !known.includes(a));
    if (unknown.length) {
      throw new ConfigError(`invalid configuration:\n  WARDEN_TWO_PERSON names no registered two-person act: ${unknown.join(', ')} (known: ${known.join(', ') || 'none'}; or none)`);
    }
    for (const act of this.acts.values()) {
      if (act.changeRequest !== undefined && !act.state) throw new Error(`change-request act ${act.act} has no state reader (@ApprovalActState): it must be bound to the control's version`);
    }
    const controls = this.changeRequestControls().map((c) => c.control);
    const unknownControls = (this.config.WARDEN_CHANGE_REQUESTS ?? []).filter((c) => c !== '*' && !controls.includes(c));
    if (unknownControls.length) {
      throw new ConfigError(
        `invalid configuration:\n  WARDEN_CHANGE_REQUESTS names no registered change-request control: ${unknownControls.join(', ')} (known: ${controls.join(', ') || 'none'}; or all, or none)`,
      );
    }
  }

  /** Whether changes to `control` wait for another person's approval now (every control in production, unless configured). */
  changeRequests(control: string): boolean {
    if (!this.actOfControl(control)) throw new Error(`${control} is not a registered change-request control`);
    return this.config.changeRequests(control);
  }

  /** Whether the two-person rule holds `act` for a second operator now (every two-person act in production, unless configured). */
  twoPerson(name: string): boolean {
    const act = this.acts.get(name);
    if (!act?.twoPerson) throw new Error(`${name} is not a registered two-person act`);
    return this.config.twoPerson(name);
  }

  private assertOpen(name: string): void {
    if (this.sealed) throw new Error(`approval kinds and acts are defined at start, before the application boots (${name})`);
  }
}
