// Run after app.js: what its template must hold, and a refusal in the library's error contract.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotatingSecret } from 'safe-constructs';

const template = Template.fromString(fs.readFileSync('cdk.out/Demo.template.json', 'utf8'));
template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
  RotationRules: { ScheduleExpression: 'rate(30 days)' },
  HostedRotationLambda: { RotationType: 'PostgreSQLSingleUser' },
});
template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });

const stack = new cdk.Stack(new cdk.App(), 'Demo');
assert.throws(() => new RotatingSecret(stack, 'Short', {
  username: 'app',
  hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser(),
  passwordLength: 7,
}), /\[safe-constructs:PasswordLengthOutOfRange\] Demo\/Short: password_length/);
console.log('typescript smoke app: template checked, bad input refused');
