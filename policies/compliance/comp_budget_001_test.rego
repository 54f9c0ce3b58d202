package gitops.policies.comp_budget_001_test

import data.gitops.policies.comp_budget_001 as policy

import data.gitops.testing.fixtures

scenario(budget_value, min, max) := {
	"quantities": {"constraints": {"budget": {"value": budget_value, "unit": "USD/month", "op": "=", "text": "x"}}},
	"cost": {"monthly_min": min, "monthly_max": max},
}

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
	count(policy.warn) == 0 with input as fixtures.seed
}

test_min_over_budget_denied if {
	ds := policy.deny with input as scenario(100, 113.37, 325.95)
	some d in ds
	d.path == ["intent", "constraints", "budget"]
	contains(d.msg, "minimum capacity is $113.37/month")
}

test_max_over_budget_warns_only if {
	count(policy.deny) == 0 with input as scenario(200, 113.37, 325.95)
	ws := policy.warn with input as scenario(200, 113.37, 325.95)
	some w in ws
	contains(w.msg, "maximum capacity")
}

test_exactly_at_budget_passes if {
	count(policy.deny) == 0 with input as scenario(325.95, 113.37, 325.95)
	count(policy.warn) == 0 with input as scenario(325.95, 113.37, 325.95)
}

test_missing_cost_denied if {
	count(policy.deny) == 1 with input as {"quantities": {"constraints": {"budget": {"value": 500}}}}
}

test_missing_budget_denied if {
	ds := policy.deny with input as {"cost": {"monthly_min": 10, "monthly_max": 20}}
	some d in ds
	contains(d.msg, "no budget")
}
