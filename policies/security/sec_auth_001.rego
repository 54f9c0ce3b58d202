# METADATA
# title: Authentication configured
# description: >-
#   Internet-facing load balancers authenticate users (OIDC or Cognito) on an
#   HTTPS listener. The translation configures OIDC by default; an intent that
#   sets security.authentication.method to none, or serves plain HTTP (where
#   load-balancer authentication cannot run), is denied.
# custom:
#   id: SEC-AUTH-001
#   severity: deny
#   passed: Authentication configured
package gitops.policies.sec_auth_001

load_balancers contains lb if {
	some lb in input.actions
	lb.action == "create_load_balancer"
}

https_listener(lb) if {
	some l in lb.config.listeners
	l.protocol == "HTTPS"
}

deny contains {"msg": msg, "path": ["intent", "security", "authentication", "method"]} if {
	some lb in load_balancers
	not lb.config.authentication.required
	method := object.get(lb.config, ["authentication", "method"], "none")
	msg := sprintf("load balancer has no authentication (method %v): configure oidc or cognito", [method])
}

deny contains {"msg": msg, "path": ["intent", "security", "protocol"]} if {
	some lb in load_balancers
	lb.config.authentication.required
	not https_listener(lb)
	msg := "authentication needs an HTTPS listener: a load balancer authenticates users only on HTTPS, and this one serves plain HTTP"
}
