#pragma once
/// anchang::JsonLogFormatter — one JSON object per log line, so logs can be searched and
/// shipped without parsing prose: {"ts","level","logger","msg", ...message parameters}.

#include <Poco/Formatter.h>

namespace anchang {

class JsonLogFormatter : public Poco::Formatter {
public:
    void format(const Poco::Message& message, std::string& text) override;
};

} // namespace anchang
