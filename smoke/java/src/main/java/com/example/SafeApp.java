package com.example;

import io.github.safeconstructs.RotatingSecret;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.secretsmanager.HostedRotation;

public final class SafeApp {
    public static void main(final String[] args) {
        App app = new App(AppProps.builder().outdir("cdk.out").build());
        Stack stack = new Stack(app, "Demo");

        // No rotation is not an option: hostedRotation is required, and the schedule defaults to 30 days.
        RotatingSecret.Builder.create(stack, "DatabaseSecret")
            .username("app")
            .hostedRotation(HostedRotation.postgreSqlSingleUser())
            .build();
        app.synth();
    }
}
