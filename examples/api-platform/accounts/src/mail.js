// Sign-in links and receipts.
const sgMail = require("@sendgrid/mail");

sgMail.setApiKey(process.env.SENDGRID_API_KEY);

async function sendSignInLink(user, link) {
  await sgMail.send({
    to: user.email,
    from: "no-reply@platform.example.com",
    templateId: "d-3f1c2a",
    dynamicTemplateData: { name: user.displayName, link },
  });
}

module.exports = { sendSignInLink };
