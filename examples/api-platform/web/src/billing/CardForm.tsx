// Card entry. The card number goes from the Stripe Elements iframe straight
// to Stripe; our servers only ever see a PaymentMethod id.
import { loadStripe } from "@stripe/stripe-js";
import { Elements, CardElement, useStripe, useElements } from "@stripe/react-stripe-js";

const stripePromise = loadStripe(import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY);

export function CardForm({ clientSecret }: { clientSecret: string }) {
  return (
    <Elements stripe={stripePromise} options={{ clientSecret }}>
      <Inner clientSecret={clientSecret} />
    </Elements>
  );
}

function Inner({ clientSecret }: { clientSecret: string }) {
  const stripe = useStripe();
  const elements = useElements();
  const save = async () => {
    const card = elements?.getElement(CardElement);
    if (!stripe || !card) return;
    await stripe.confirmCardSetup(clientSecret, { payment_method: { card } });
  };
  return (
    <form onSubmit={(e) => { e.preventDefault(); save(); }}>
      <CardElement />
      <button type="submit">Save card</button>
    </form>
  );
}
