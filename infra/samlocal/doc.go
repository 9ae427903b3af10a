// Package samlocal runs Lambda functions locally the way `sam local start-lambda`
// and `sam local start-api` do, without Docker: each function's bootstrap runs
// under its own aws-lambda-rie process ([Emulator]), [LambdaAPI] serves the
// Lambda Invoke API in front of them, and [HTTPAPI] serves API Gateway HTTP API
// (payload format 2.0) routes read from template.yaml ([LoadRoutes]).
package samlocal
