/**
 * Per-user broker accounts behind `/v2/get_amqp_result_connection_url`: created on first request, then
 * a fresh password per request (protocol.md §3.9). rabbitmqctl costs ~0.5 s a call, so the account is
 * created once and calls for one user are serialized.
 */
import { randomBytes } from "node:crypto";
import type { Broker } from "../support/rabbitmq";
import type { User } from "./state";

export class BrokerAccounts {
  private readonly created = new Set<string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly broker: Broker,
    /** Hand out `amqps://` URLs (the broker's TLS listener). */
    private readonly tls = false,
  ) {}

  /** A connection URL with a new password for the user's account, which may read only its prefix. */
  freshUrl(user: User): Promise<string> {
    const run = async () => {
      // Hex: rabbitmqctl would take a password starting with "-" for an option.
      const password = randomBytes(18).toString("hex");
      if (this.created.has(user.brokerUser)) await this.broker.changePassword(user.brokerUser, password);
      else {
        await this.broker.addUser(user.brokerUser, password, user.queuePrefix);
        this.created.add(user.brokerUser);
      }
      return this.broker.urlFor(user.brokerUser, password, { tls: this.tls });
    };
    const next = (this.queues.get(user.id) ?? Promise.resolve()).then(run);
    this.queues.set(user.id, next.catch(() => {}));
    return next;
  }
}
