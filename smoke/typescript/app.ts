import * as cdk from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotatingSecret } from 'safe-constructs';

const app = new cdk.App({ outdir: 'cdk.out' });
const stack = new cdk.Stack(app, 'Demo');

// No rotation is not an option: hostedRotation is required, and the schedule defaults to 30 days.
new RotatingSecret(stack, 'DatabaseSecret', {
  username: 'app',
  hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser(),
});
app.synth();
