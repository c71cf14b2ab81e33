import mixpanel from "mixpanel-browser";
import { identifyUser } from "../analytics";

jest.mock("mixpanel-browser");

test("identify sends the email as $email", () => {
  identifyUser({ id: "u_1", email: "ada@example.com", displayName: "Ada", organization: { id: "org_1", name: "Acme" } });
  expect(mixpanel.people.set).toHaveBeenCalledWith(expect.objectContaining({ $email: "ada@example.com" }));
});
