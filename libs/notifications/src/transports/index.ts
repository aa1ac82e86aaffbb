export {
  EmailDeliveryError,
  EmailTransport,
  type EmailMessage,
  type EmailSendResult,
  type EmailTransportOptions,
  type SmtpSettings,
} from './email-transport';
