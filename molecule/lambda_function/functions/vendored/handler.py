"""A function whose dependency is vendored into its zip (lambda_function scenario)."""

import antlr4


def lambda_handler(event, context):
    return {"antlr4": antlr4.__name__}
