// The kernel's roles, in the order people think of them (UserDirectory::roles()).
export const ROLES = ['admin', 'manager', 'supervisor', 'consultant', 'receptionist', 'risk_officer', 'finance', 'channel_agent', 'buyer']

/** "案场经理、销售主管" / "Sales-site manager, Sales supervisor". */
export function roleNames(roles, t) {
  return roles.map((role) => t(`roles.${role}`)).join(t('common.listSeparator'))
}
