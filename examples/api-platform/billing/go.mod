module example.com/platform/billing

go 1.22

require (
	github.com/stripe/stripe-go/v76 v76.25.0
	golang.org/x/sync v0.8.0
)
