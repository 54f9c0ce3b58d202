package gitops.policies.agents_review_001_test

import data.gitops.policies.agents_review_001 as policy

mon := {"agent_id": "monitoring-agent-001", "type": "monitoring", "version": "2.1.0", "owner": "platform-observability", "permissions": ["read:metrics", "write:health_status"]}

test_unchanged_registry_passes if {
	count(policy.warn) == 0 with input as {"agents": [mon], "base_agents": [mon]}
}

test_reordered_permissions_are_not_a_change if {
	swapped := object.union(mon, {"permissions": ["write:health_status", "read:metrics"]})
	count(policy.warn) == 0 with input as {"agents": [swapped], "base_agents": [mon]}
}

test_granted_permission_flagged_for_owner if {
	grown := object.union(mon, {"permissions": ["read:metrics", "write:health_status", "execute:recovery"]})
	ws := policy.warn with input as {"agents": [grown], "base_agents": [mon]}
	count(ws) == 1
	some w in ws
	w.path == ["agents", 0, "permissions"]
	contains(w.msg, "added: execute:recovery; removed: none")
	contains(w.msg, "platform-observability")
}

test_new_and_removed_agents_flagged if {
	other := {"agent_id": "x", "type": "t", "version": "1.0.0", "permissions": ["read:metrics"]}
	ws := policy.warn with input as {"agents": [other], "base_agents": [mon]}
	count(ws) == 2
}

test_no_base_registry_nothing_to_compare if {
	count(policy.warn) == 0 with input as {"agents": [mon]}
}
