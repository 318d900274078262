// Who must approve an erasure. Pure. One listed admin's approval suffices; with
// `erasure.fourEyes`, two different admins must agree, and an admin who entered the
// request (`!erase`, for a request received by email or post) counts as the first.
export type ApprovalState = { enteredBy: string | null; approvals: readonly string[] };

export type ApprovalOutcome = { kind: 'approved'; approvals: string[] } | { kind: 'needs-another'; approvals: string[] } | { kind: 'already-counted' };

export function addApproval(state: ApprovalState, admin: string, fourEyes: boolean): ApprovalOutcome {
  const counted = new Set([...(fourEyes && state.enteredBy !== null ? [state.enteredBy] : []), ...state.approvals]);
  if (counted.has(admin)) return { kind: 'already-counted' };
  const approvals = [...state.approvals, admin];
  const needed = fourEyes ? 2 : 1;
  return counted.size + 1 >= needed ? { kind: 'approved', approvals } : { kind: 'needs-another', approvals };
}
