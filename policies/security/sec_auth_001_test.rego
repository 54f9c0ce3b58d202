package gitops.policies.sec_auth_001_test

import data.gitops.policies.sec_auth_001 as policy

import data.gitops.testing.fixtures

lb(config) := {"actions": [{"action": "create_load_balancer", "config": config}]}

https := [{"protocol": "HTTPS", "port": 443, "tls_versions": ["TLSv1.2", "TLSv1.3"]}]

test_seed_translation_passes if {
	count(policy.deny) == 0 with input as fixtures.seed
}

test_cognito_passes if {
	count(policy.deny) == 0 with input as lb({"listeners": https, "authentication": {"method": "cognito", "required": true}})
}

test_no_authentication_denied if {
	ds := policy.deny with input as lb({"listeners": https, "authentication": {"method": "none", "required": false}})
	some d in ds
	d.path == ["intent", "security", "authentication", "method"]
	contains(d.msg, "no authentication")
}

test_missing_authentication_denied if {
	count(policy.deny) == 1 with input as lb({"listeners": https})
}

test_plain_http_with_authentication_denied if {
	ds := policy.deny with input as lb({"listeners": [{"protocol": "HTTP", "port": 80}], "authentication": {"method": "oidc", "required": true}})
	some d in ds
	d.path == ["intent", "security", "protocol"]
}

test_no_load_balancer_nothing_to_judge if {
	count(policy.deny) == 0 with input as {"actions": [{"action": "deploy_instances", "config": {"count": 1}}]}
}
