# METADATA
# title: Within budget constraints
# description: >-
#   The estimated monthly cost at minimum capacity must fit the intent's
#   budget (deny). If the cost at maximum capacity does not fit, the intent
#   is allowed with a warning: scaling out may exceed the budget.
# custom:
#   id: COMP-BUDGET-001
#   severity: deny
#   passed: Within budget constraints
package gitops.policies.comp_budget_001

budget_path := ["intent", "constraints", "budget"]

budget := input.quantities.constraints.budget.value

deny contains {"msg": msg, "path": budget_path} if {
	input.cost.monthly_min > budget
	msg := sprintf("estimated cost at minimum capacity is $%v/month, over the budget of $%v/month", [input.cost.monthly_min, budget])
}

deny contains {"msg": "no budget to judge the cost against: set constraints.budget like '$500/month'", "path": budget_path} if {
	not input.quantities.constraints.budget
}

deny contains {"msg": "no cost estimate for this intent: cannot check the budget", "path": budget_path} if {
	not input.cost.monthly_min
}

warn contains {"msg": msg, "path": budget_path} if {
	input.cost.monthly_min <= budget
	input.cost.monthly_max > budget
	msg := sprintf("estimated cost at maximum capacity is $%v/month, over the budget of $%v/month: scaling out to the maximum would exceed it", [input.cost.monthly_max, budget])
}
