//! Which flows stay on the Microsoft-managed key when their environment
//! moves to a customer key, and why — the documentation's table:
//!
//! * Power Apps v1 trigger flows that aren't in a solution;
//! * HTTP trigger and Teams trigger flows (a new URL would be created in
//!   the CMK-protected infrastructure, and callers use the old one);
//! * flows using the List Flows as Admin (V1) action;
//! * parents of flows that can't be migrated, transitively, "to ensure
//!   there's no business disruption".

use crate::error::Result;
use crate::store::{Db, FlowTraits};
use std::collections::{HashMap, VecDeque};

pub const POWER_APPS_V1_NOT_IN_SOLUTION: &str = "PowerAppsV1TriggerNotInSolution";
pub const HTTP_TRIGGER: &str = "HttpTrigger";
pub const TEAMS_TRIGGER: &str = "TeamsTrigger";
pub const LIST_FLOWS_AS_ADMIN_V1: &str = "ListFlowsAsAdminV1";
pub const PARENT_OF_UNMIGRATABLE_FLOW: &str = "ParentOfUnmigratableFlow";

/// Why one flow cannot migrate; for a parent, the child (FlowName) that blocks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub reason: &'static str,
    pub child: Option<String>,
}

/// The flow's own reason to stay on the Microsoft-managed key, if any.
pub fn own_reason(flow: &FlowTraits) -> Option<&'static str> {
    match flow.trigger_kind.as_str() {
        "PowerAppsV1" if !flow.in_solution => Some(POWER_APPS_V1_NOT_IN_SOLUTION),
        "Http" => Some(HTTP_TRIGGER),
        "Teams" => Some(TEAMS_TRIGGER),
        _ if flow.uses_list_flows_v1 => Some(LIST_FLOWS_AS_ADMIN_V1),
        _ => None,
    }
}

/// The flows (by key) that cannot migrate, with their reasons: `seeds` are
/// the flows with their own reason (others are ignored), and `parents_of`
/// gives a flow's callers (key, FlowName) among the flows being migrated.
/// The graph may have cycles. Parents are found breadth-first from the
/// seeds, so each parent names its nearest blocking child; only the part of
/// the graph above the seeds is ever read.
pub fn unmigratable(
    seeds: &[FlowTraits],
    mut parents_of: impl FnMut(i64) -> Result<Vec<(i64, String)>>,
) -> Result<HashMap<i64, Blocked>> {
    let mut ids: HashMap<i64, String> = HashMap::new();
    let mut blocked = HashMap::new();
    let mut queue = VecDeque::new();
    for f in seeds {
        if let Some(reason) = own_reason(f) {
            blocked.insert(f.flow_key, Blocked { reason, child: None });
            ids.insert(f.flow_key, f.flow_id.clone());
            queue.push_back(f.flow_key);
        }
    }
    while let Some(child) = queue.pop_front() {
        let mut parents = parents_of(child)?;
        parents.sort_unstable();
        for (parent, parent_id) in parents {
            if blocked.contains_key(&parent) {
                continue; // visited: cycles end here
            }
            blocked.insert(parent, Blocked { reason: PARENT_OF_UNMIGRATABLE_FLOW, child: ids.get(&child).cloned() });
            ids.insert(parent, parent_id);
            queue.push_back(parent);
        }
    }
    Ok(blocked)
}

/// [`unmigratable`] over an environment's flows on the Microsoft-managed key.
pub fn unmigratable_in(db: &Db, env_key: i64) -> Result<HashMap<i64, Blocked>> {
    unmigratable(&db.flows_with_own_reason(env_key)?, |child| db.flow_parents_on_microsoft_key(child))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(key: i64, trigger: &str, in_solution: bool) -> FlowTraits {
        FlowTraits {
            flow_key: key,
            flow_id: format!("flow-{key}"),
            trigger_kind: trigger.into(),
            in_solution,
            uses_list_flows_v1: false,
        }
    }

    #[test]
    fn own_reasons_follow_the_documentation_table() {
        assert_eq!(own_reason(&flow(1, "PowerAppsV1", false)), Some(POWER_APPS_V1_NOT_IN_SOLUTION));
        assert_eq!(own_reason(&flow(1, "PowerAppsV1", true)), None, "a v1 flow in a solution migrates");
        assert_eq!(own_reason(&flow(1, "PowerAppsV2", false)), None);
        assert_eq!(own_reason(&flow(1, "Http", true)), Some(HTTP_TRIGGER));
        assert_eq!(own_reason(&flow(1, "Teams", true)), Some(TEAMS_TRIGGER));
        let mut admin = flow(1, "Recurrence", true);
        admin.uses_list_flows_v1 = true;
        assert_eq!(own_reason(&admin), Some(LIST_FLOWS_AS_ADMIN_V1));
    }

    #[test]
    fn parents_are_blocked_transitively_and_cycles_end() {
        // 4 -> 3 -> 2 (v1, blocked); 5 <-> 6 cycle calling 3; 7 unrelated.
        let flows = vec![
            flow(2, "PowerAppsV1", false),
            flow(3, "Automated", true),
            flow(4, "Manual", true),
            flow(5, "Manual", true),
            flow(6, "Manual", true),
            flow(7, "Manual", true),
        ];
        let edges = [(3, 2), (4, 3), (5, 6), (6, 5), (6, 3)];
        let parents = |child: i64| -> Result<Vec<(i64, String)>> {
            Ok(edges.iter().filter(|(_, c)| *c == child).map(|(p, _)| (*p, format!("flow-{p}"))).collect())
        };
        let b = unmigratable(&flows, parents).unwrap();
        assert_eq!(b[&2], Blocked { reason: POWER_APPS_V1_NOT_IN_SOLUTION, child: None });
        assert_eq!(b[&3], Blocked { reason: PARENT_OF_UNMIGRATABLE_FLOW, child: Some("flow-2".into()) });
        assert_eq!(b[&4].child.as_deref(), Some("flow-3"));
        assert_eq!(b[&6].child.as_deref(), Some("flow-3"));
        assert_eq!(b[&5].child.as_deref(), Some("flow-6"));
        assert!(!b.contains_key(&7));
        assert_eq!(b.len(), 5);
    }
}
