package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/safe-constructs/safe-constructs-go/safeconstructs"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// Run after `go run .`: what the app's template must hold.
func TestTemplate(t *testing.T) {
	body, err := os.ReadFile("cdk.out/Demo.template.json")
	if err != nil {
		t.Fatal(err)
	}
	template := assertions.Template_FromString(jsii.String(string(body)), nil)
	template.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]interface{}{
		"RotationRules":        map[string]interface{}{"ScheduleExpression": "rate(30 days)"},
		"HostedRotationLambda": map[string]interface{}{"RotationType": "PostgreSQLSingleUser"},
	})
	template.HasResource(jsii.String("AWS::SecretsManager::Secret"), map[string]interface{}{"DeletionPolicy": "Retain"})
}

// Bad input fails at synth with the library's error contract, in Go as in Python (a panic).
func TestRefusal(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Demo"), nil)
	message := func() (message string) {
		defer func() { message = fmt.Sprint(recover()) }()
		safeconstructs.NewRotatingSecret(stack, jsii.String("Short"), &safeconstructs.RotatingSecretProps{
			Username:       jsii.String("app"),
			HostedRotation: awssecretsmanager.HostedRotation_PostgreSqlSingleUser(nil),
			PasswordLength: jsii.Number(7),
		})
		return
	}()
	if !strings.Contains(message, "[safe-constructs:PasswordLengthOutOfRange] Demo/Short: password_length") {
		t.Fatalf("a 7-character password was not refused as expected: %s", message)
	}
}
