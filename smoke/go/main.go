package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/safe-constructs/safe-constructs-go/safeconstructs"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String("cdk.out")})
	stack := awscdk.NewStack(app, jsii.String("Demo"), nil)

	// No rotation is not an option: HostedRotation is required, and the schedule defaults to 30 days.
	safeconstructs.NewRotatingSecret(stack, jsii.String("DatabaseSecret"), &safeconstructs.RotatingSecretProps{
		Username:       jsii.String("app"),
		HostedRotation: awssecretsmanager.HostedRotation_PostgreSqlSingleUser(nil),
	})
	app.Synth(nil)
}
