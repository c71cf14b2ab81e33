// Package billing keeps Stripe customers and the sales pipeline in step
// with accounts.
package billing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/customer"
)

type Account struct {
	UserID      string
	OrgID       string
	Email       string
	DisplayName string
	Phone       string
}

func init() {
	stripe.Key = os.Getenv("STRIPE_SECRET_KEY")
}

// EnsureCustomer creates the Stripe customer for an organisation's owner.
func EnsureCustomer(a Account) (*stripe.Customer, error) {
	params := &stripe.CustomerParams{
		Email: stripe.String(a.Email),
		Name:  stripe.String(a.DisplayName),
	}
	params.AddMetadata("org_id", a.OrgID)
	return customer.New(params)
}

// PushLead sends enterprise sign-ups to the CRM through its REST API.
func PushLead(a Account, token string) error {
	body, _ := json.Marshal(map[string]string{
		"Email":    a.Email,
		"LastName": a.DisplayName,
		"Phone":    a.Phone,
		"Company":  a.OrgID,
	})
	url := fmt.Sprintf("https://%s.my.salesforce.com/services/data/v61.0/sobjects/Lead", os.Getenv("SALESFORCE_INSTANCE"))
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	_, err = http.DefaultClient.Do(req)
	return err
}
