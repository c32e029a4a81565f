package com.example;

import io.github.safeconstructs.RotatingSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.secretsmanager.HostedRotation;

/** Run after SafeApp: what its template must hold, and a refusal in the library's error contract. */
public final class SmokeCheck {
    public static void main(final String[] args) throws IOException {
        Template template = Template.fromString(Files.readString(Path.of("cdk.out", "Demo.template.json")));
        template.hasResourceProperties("AWS::SecretsManager::RotationSchedule", Map.of(
            "RotationRules", Map.of("ScheduleExpression", "rate(30 days)"),
            "HostedRotationLambda", Map.of("RotationType", "PostgreSQLSingleUser")));
        template.hasResource("AWS::SecretsManager::Secret", Map.of("DeletionPolicy", "Retain"));

        Stack stack = new Stack(new App(), "Demo");
        try {
            RotatingSecret.Builder.create(stack, "Short")
                .username("app")
                .hostedRotation(HostedRotation.postgreSqlSingleUser())
                .passwordLength(7)
                .build();
            throw new AssertionError("a 7-character password was accepted");
        } catch (RuntimeException refused) {
            String message = String.valueOf(refused.getMessage());
            if (!message.contains("[safe-constructs:PasswordLengthOutOfRange] Demo/Short: password_length")) {
                throw new AssertionError("unexpected refusal: " + message, refused);
            }
        }
        System.out.println("java smoke app: template checked, bad input refused");
    }
}
