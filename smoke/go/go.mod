module example.com/safe-app

go 1.25

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.263.0
	github.com/aws/constructs-go/constructs/v10 v10.8.1
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/safe-constructs/safe-constructs-go/safeconstructs v0.0.0
)
