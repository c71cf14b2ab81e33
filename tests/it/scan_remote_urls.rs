//! Vendor URLs that one file defines and another uses by its class's
//! name, as Rails and Laravel applications keep a payment provider's or a
//! cloud's API address on its model or service class: the request, in a
//! file that never writes the host, goes to that vendor and sends what it
//! carries.

use crate::scan_support;

use scan_support::*;

/// The model keeps the address; the services use it qualified.
const PROVIDER: &str = r#"# frozen_string_literal: true

module PaymentProviders
  class CashfreeProvider < BaseProvider
    BASE_URL = (Rails.env.production? ? "https://api.cashfree.com/pg/links" : "https://sandbox.cashfree.com/pg/links")
    API_VERSION = "2023-08-01"

    validates :client_id, presence: true

    def self.dashboard_url
      "https://merchant.cashfree.com/merchants/login"
    end
  end
end
"#;

const SERVICE: &str = r#"# frozen_string_literal: true

module Invoices
  module Payments
    class CashfreeService < BaseService
      def create_payment_link
        body = {
          customer_details: {
            customer_email: customer.email,
            customer_phone: customer.phone
          },
          link_amount: invoice.total_amount
        }
        client.post_with_response(body, {
          "x-client-id" => provider.client_id,
          "x-client-secret" => provider.client_secret,
          "x-api-version" => ::PaymentProviders::CashfreeProvider::API_VERSION
        })
      end

      private

      def client
        @client ||= LagoHttpClient::Client.new(::PaymentProviders::CashfreeProvider::BASE_URL)
      end
    end
  end
end
"#;

/// A client made by a method with no parameters, memoised without `||=`,
/// with an address a class method returns.
const MONEYHASH_PROVIDER: &str = r#"module PaymentProviders
  class MoneyhashProvider < BaseProvider
    def self.api_base_url
      if Rails.env.production?
        "https://web.moneyhash.io"
      else
        "https://staging-web.moneyhash.io"
      end
    end

    def webhook_end_point
      URI.join(ENV["LAGO_API_URL"], "webhooks/moneyhash")
    end
  end
end
"#;

const MONEYHASH_SERVICE: &str = r##"module PaymentProviderCustomers
  class MoneyhashService < BaseService
    def create_customer
      params = {
        first_name: customer.firstname,
        email: customer.email
      }
      customers_client.post_with_response(params, headers)
    end

    def customers_client
      @customers_client || LagoHttpClient::Client.new("#{PaymentProviders::MoneyhashProvider.api_base_url}/api/v1.1/customers/")
    end
  end
end
"##;

#[test]
fn a_request_to_a_url_another_class_defines_goes_to_that_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/models/payment_providers/cashfree_provider.rb",
        PROVIDER,
    );
    write(
        root,
        "app/services/invoices/payments/cashfree_service.rb",
        SERVICE,
    );
    write(
        root,
        "app/models/payment_providers/moneyhash_provider.rb",
        MONEYHASH_PROVIDER,
    );
    write(
        root,
        "app/services/payment_provider_customers/moneyhash_service.rb",
        MONEYHASH_SERVICE,
    );
    let r = run(root);
    let ev = evidence(&r, "cashfree");
    assert!(
        ev.iter()
            .any(|e| e.contains("app/services/invoices/payments/cashfree_service.rb:14")),
        "{ev:?}"
    );
    // What the body carries is sent there; the application's own
    // credentials in the headers are how it is sent, not a person's data.
    let fields = call_fields(&r, "cashfree");
    assert!(
        fields.contains(
            &"user.contact.email app/services/invoices/payments/cashfree_service.rb:14".to_string()
        ),
        "{fields:?}"
    );
    assert!(
        fields
            .iter()
            .all(|f| !f.starts_with("system.authentication")),
        "{fields:?}"
    );
    let fields = call_fields(&r, "moneyhash");
    assert!(
        fields.contains(
            &"user.contact.email app/services/payment_provider_customers/moneyhash_service.rb:8"
                .to_string()
        ),
        "{fields:?}"
    );
}

#[test]
fn a_bare_or_unrelated_name_is_not_another_class_url() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/models/payment_providers/cashfree_provider.rb",
        PROVIDER,
    );
    // `BASE_URL` alone is this class's own, and `Other::BASE_URL` another
    // class's: neither is Cashfree's. A method with a parameter is no URL
    // constant, and a spec's use is no production request.
    write(
        root,
        "app/services/webhooks/send_service.rb",
        "class SendService\n  BASE_URL = ENV[\"WEBHOOK_URL\"]\n\n  def call(payload)\n    body = { email: user.email }\n    LagoHttpClient::Client.new(BASE_URL).post_with_response(body, {})\n    LagoHttpClient::Client.new(Other::BASE_URL).post_with_response(body, {})\n  end\nend\n",
    );
    write(
        root,
        "spec/services/cashfree_service_spec.rb",
        "RSpec.describe CashfreeService do\n  it \"posts\" do\n    LagoHttpClient::Client.new(PaymentProviders::CashfreeProvider::BASE_URL).post_with_response({ email: \"a@b.c\" }, {})\n  end\nend\n",
    );
    let r = run(root);
    let ev = evidence(&r, "cashfree");
    assert!(
        ev.iter()
            .all(|e| e.contains("app/models/payment_providers/cashfree_provider.rb")),
        "{ev:?}"
    );
    assert!(call_fields(&r, "cashfree").is_empty());
}

#[test]
fn a_ruby_hash_fetch_in_an_integration_folder_is_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/services/payment_providers/moneyhash/handle_event_service.rb",
        "class HandleEventService\n  MAP = { \"Invoice\" => Invoices::Payments::MoneyhashService }.freeze\n\n  def call\n    MAP.fetch(payable_type) { raise NameError }\n    client.post(url, { email: customer.email })\n  end\nend\n",
    );
    let r = run(root);
    let ev = evidence(&r, "moneyhash");
    assert!(
        ev.iter().all(|e| !e.contains("handle_event_service.rb:5")),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| e.contains("handle_event_service.rb:6")),
        "{ev:?}"
    );
}

/// The address behind a reader method of the model (`def api_url` returning
/// `API_URL`), called on an instance named after the model's class.
const FLUTTERWAVE_PROVIDER: &str = r#"module PaymentProviders
  class FlutterwaveProvider < BaseProvider
    API_URL = "https://api.flutterwave.com/v3"

    def api_url
      API_URL
    end
  end
end
"#;

const FLUTTERWAVE_SERVICE: &str = r##"module Invoices
  module Payments
    class FlutterwaveService < BaseService
      def create_checkout_session
        body = {
          tx_ref: invoice.id,
          customer: { email: customer.email, name: customer.name }
        }
        http_client.post_with_response(body, headers)
      end

      def verify(transaction_id)
        # Any provider's `api_url`: the variable does not say which.
        LagoHttpClient::Client.new("#{payment_provider.api_url}/verify").post_with_response({ email: customer.email }, headers)
      end

      private

      def flutterwave_payment_provider
        payment_provider(customer)
      end

      def http_client
        @http_client ||= LagoHttpClient::Client.new("#{flutterwave_payment_provider.api_url}/payments")
      end
    end
  end
end
"##;

#[test]
fn a_reader_method_called_on_an_instance_named_after_its_class_gives_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/models/payment_providers/flutterwave_provider.rb",
        FLUTTERWAVE_PROVIDER,
    );
    write(
        root,
        "app/services/invoices/payments/flutterwave_service.rb",
        FLUTTERWAVE_SERVICE,
    );
    let r = run(root);
    let f = "app/services/invoices/payments/flutterwave_service.rb";
    assert_eq!(
        call_fields(&r, "flutterwave"),
        [
            format!("user.contact.email {f}:9"),
            format!("user.name {f}:9"),
        ]
    );
}
