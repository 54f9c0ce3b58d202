# Shared test fixtures for the intent policies' unit tests (a *_test.rego
# file, so `gitops check` never loads it). `seed` is the policy input the
# runner builds for the sample intent intents/DEPLOY-WEB-001.yaml; a test in
# test/policy keeps it identical to what the runner produces.
package gitops.testing.fixtures

seed := {
	"file": "intents/DEPLOY-WEB-001.yaml",
	"intent": {
		"id": "DEPLOY-WEB-001",
		"type": "deployment",
		"description": "部署高可用性 Web 服務，保證 99.9% 可用性",
		"requirements": {
			"availability": "99.9%",
			"performance": {
				"latency_p95": "<100ms",
				"throughput": ">1000 req/s"
			},
			"scalability": {
				"min_instances": 3,
				"max_instances": 10
			}
		},
		"constraints": {
			"budget": "$500/month",
			"region": [
				"us-west",
				"us-east"
			]
		}
	},
	"quantities": {
		"requirements": {
			"availability": {
				"value": 99.9,
				"unit": "%",
				"op": "=",
				"text": "99.9%"
			},
			"performance": {
				"latency_p95": {
					"value": 100,
					"unit": "ms",
					"op": "<",
					"text": "<100ms"
				},
				"throughput": {
					"value": 1000,
					"unit": "req/s",
					"op": ">",
					"text": ">1000 req/s"
				}
			}
		},
		"constraints": {
			"budget": {
				"value": 500,
				"unit": "USD/month",
				"op": "=",
				"text": "$500/month"
			}
		}
	},
	"region": {
		"deploy": "us-west-2",
		"deploy_regions": [
			"us-west-2"
		],
		"requested": [
			"us-west",
			"us-east"
		],
		"resolved": [
			"us-west-2",
			"us-east-1"
		]
	},
	"actions": [
		{
			"action": "create_load_balancer",
			"config": {
				"type": "application",
				"scheme": "internet-facing",
				"listeners": [
					{
						"protocol": "HTTPS",
						"port": 443,
						"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
						"tls_versions": [
							"TLSv1.2",
							"TLSv1.3"
						]
					},
					{
						"protocol": "HTTP",
						"port": 80,
						"redirect_to_https": true
					}
				],
				"authentication": {
					"method": "oidc",
					"required": true
				}
			}
		},
		{
			"action": "deploy_instances",
			"config": {
				"count": 3,
				"instance_type": "t3.medium",
				"availability_zones": [
					"us-west-2a",
					"us-west-2b",
					"us-west-2c"
				]
			}
		},
		{
			"action": "configure_auto_scaling",
			"config": {
				"min": 3,
				"max": 10,
				"target_cpu": 70
			}
		},
		{
			"action": "setup_health_checks",
			"config": {
				"interval": 30,
				"timeout": 5,
				"healthy_threshold": 2,
				"unhealthy_threshold": 3,
				"path": "/health"
			}
		},
		{
			"action": "enable_self_healing",
			"config": {
				"recovery_policy": {
					"strategy": "restart",
					"max_attempts": 3,
					"timeout_seconds": 60
				},
				"triggers": [
					{
						"condition": "health_status == 'failed'",
						"action": "restart_instance"
					},
					{
						"condition": "error_rate > 5%",
						"action": "restart_service"
					},
					{
						"condition": "latency_p95 > 200ms",
						"action": "scale_out"
					}
				]
			}
		}
	],
	"cost": {
		"currency": "USD",
		"hours_per_month": 730,
		"monthly_min": 113.37,
		"monthly_max": 325.95,
		"items": [
			{
				"resource": "ec2:t3.medium",
				"quantity": 3,
				"unit_price": 0.0416,
				"monthly_min": 91.1,
				"monthly_max": 303.68
			},
			{
				"resource": "elb:application",
				"quantity": 1,
				"unit_price": 0.0225,
				"monthly_min": 16.43,
				"monthly_max": 16.43
			},
			{
				"resource": "elb:lcu",
				"quantity": 1,
				"unit_price": 0.008,
				"monthly_min": 5.84,
				"monthly_max": 5.84
			}
		],
		"price_table": {
			"source": "AWS public price pages: EC2 On-Demand (aws.amazon.com/ec2/pricing/on-demand, Linux, shared tenancy) and Elastic Load Balancing (aws.amazon.com/elasticloadbalancing/pricing, Application Load Balancer)",
			"date": "2026-11-01",
			"region": "us-west-2"
		},
		"assumptions": [
			"On-demand Linux prices, no Savings Plans or Reserved Instances",
			"Application Load Balancer: 1 LCU on average per hour (about 25 new connections/s or 1 GB/h processed); real traffic may need more",
			"t3 instances in standard credit mode (unlimited-mode surplus credits, EBS volumes and data transfer are not included)"
		]
	}
}
