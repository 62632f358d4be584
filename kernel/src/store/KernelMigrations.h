#pragma once
/// anchang::kernelMigrations — the kernel's schema (kernel/migrations/*.sql), embedded at build
/// time by cmake/EmbedMigrations.cmake.

#include "store/Migrator.h"

#include <vector>

namespace anchang {

const std::vector<Migrator::Migration>& kernelMigrations();

} // namespace anchang
