export {
  EmailDeliveryError,
  type EmailSendResult,
  EmailTransport,
  type EmailTransportOptions,
  type OutgoingEmail,
  type SmtpSettings,
} from './email-transport';
