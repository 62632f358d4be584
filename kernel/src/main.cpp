#include "app/Anchangd.h"

#include <iostream>

POCO_SERVER_MAIN(anchang::Anchangd)
