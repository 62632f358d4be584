#include "notify/EmailChannel.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>

#include <stdexcept>

namespace anchang {

EmailChannel::EmailChannel(std::string host, int port, std::string from) : host_(std::move(host)), port_(port), from_(std::move(from)) {
    if (host_.empty() || from_.empty()) throw std::invalid_argument("e-mail needs notify.smtp.host and notify.smtp.from");
}

void EmailChannel::deliver(const Message& message) {
    Poco::Net::MailMessage mail;
    mail.setSender(from_);
    mail.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, message.recipient["email"].get<std::string>()));
    // The first line is the subject; the whole text is the body.
    const auto newline = message.text.find('\n');
    mail.setSubject(Poco::Net::MailMessage::encodeWord(message.text.substr(0, std::min<std::size_t>(newline, 60)), "UTF-8"));
    mail.setContentType("text/plain; charset=UTF-8");
    mail.setContent(message.text, Poco::Net::MailMessage::ENCODING_8BIT);
    Poco::Net::SMTPClientSession session(host_, static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(10, 0));
    session.login();
    session.sendMessage(mail);
    session.close();
}

} // namespace anchang
